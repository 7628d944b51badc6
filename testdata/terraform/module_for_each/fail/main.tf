# A module called with `for_each`: the slots take the instances the wrong way round, so the
# guest slot gets the instance whose amr is "authenticated", and the other way round.

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
    authenticated   = module.roles["guest"].arn
    unauthenticated = module.roles["auth"].arn
  }
}
