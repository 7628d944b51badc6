# file() and templatefile() with path.module, path.root and plain relative paths (relative to
# the root module, where Terraform runs), in the root module and in a called module.

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true
}

locals {
  trust_vars = {
    pool_id = aws_cognito_identity_pool.main.id
    amr     = "authenticated"
  }
}

resource "aws_iam_role" "authenticated" {
  name               = "photos-authenticated"
  assume_role_policy = templatefile("${path.root}/policies/trust.json", local.trust_vars)
}

module "auth" {
  source  = "./modules/auth"
  pool_id = aws_cognito_identity_pool.main.id
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated   = aws_iam_role.authenticated.arn
    unauthenticated = module.auth.guest_arn
  }
}
