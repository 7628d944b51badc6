# Module tree, fail: the root module creates the pool, passes its ID to ./modules/auth and
# attaches the roles the module outputs. The module's guest role admits only `authenticated`
# identities (see modules/auth/main.tf); the slot that hands it out is here.

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true
}

module "auth" {
  source = "./modules/auth"

  identity_pool_id = aws_cognito_identity_pool.main.id
  name_prefix      = "photos"
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated   = module.auth.authenticated_role_arn
    unauthenticated = module.auth.guest_role_arn
  }
}
