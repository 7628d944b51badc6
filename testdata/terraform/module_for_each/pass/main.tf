# A module called with `for_each`: each instance is its own module, with `each.key` and
# `each.value` bound in the call's arguments, addressed as Terraform does
# (`module.roles["guest"]`).

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true
}

module "roles" {
  source   = "./modules/role"
  for_each = { auth = "authenticated", guest = "unauthenticated" }

  name    = "photos-${each.key}"
  pool_id = aws_cognito_identity_pool.main.id
  amr     = each.value
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated   = module.roles["auth"].arn
    unauthenticated = module.roles["guest"].arn
  }
}
