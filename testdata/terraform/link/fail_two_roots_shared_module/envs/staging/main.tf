resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos-staging"
  allow_unauthenticated_identities = false
}

module "auth" {
  source           = "../../modules/auth"
  identity_pool_id = aws_cognito_identity_pool.main.arn
  name             = "photos-staging-authenticated"
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated = module.auth.role_arn
  }
}
