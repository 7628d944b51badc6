# Module tree, fail: the root module passes the pool's ARN, not its ID, to ./modules/auth, so
# the aud conditions of both roles the module creates can never match (see
# modules/auth/main.tf).

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true
}

module "auth" {
  source = "./modules/auth"

  identity_pool_id = aws_cognito_identity_pool.main.arn
  name_prefix      = "photos"
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated   = module.auth.authenticated_role_arn
    unauthenticated = module.auth.guest_role_arn
  }
}
