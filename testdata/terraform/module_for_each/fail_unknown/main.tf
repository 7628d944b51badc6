# A module called with `for_each` over a variable without a default: which instances exist is
# not known statically, so the module is checked as one instance and the call says so.

variable "roles" {
  type = map(string)
}

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true
}

module "roles" { # expect: CT901
  source   = "./modules/role"
  for_each = var.roles

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
