# A module called with `count`: the slots take the instances the wrong way round.

locals {
  amr = ["authenticated", "unauthenticated"]
}

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true
}

module "roles" {
  source = "./modules/role"
  count  = 2

  name    = "photos-${count.index}"
  pool_id = aws_cognito_identity_pool.main.id
  amr     = local.amr[count.index]
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated   = module.roles[1].arn
    unauthenticated = module.roles[0].arn
  }
}
