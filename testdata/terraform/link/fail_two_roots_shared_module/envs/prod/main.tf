resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos-prod"
  allow_unauthenticated_identities = false
}

module "auth" {
  source           = "../../modules/auth"
  identity_pool_id = aws_cognito_identity_pool.main.id
  name             = "photos-prod-authenticated"
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated = module.auth.role_arn
  }
}
