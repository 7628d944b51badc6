# Environment layout, fail: envs/prod wires two shared modules together with `../../modules/…`
# sources. The pool module's output feeds the roles module, whose authenticated role checks
# amr only (see modules/roles/main.tf).

module "pool" {
  source = "../../modules/pool"

  name         = "photos-prod"
  allow_guests = false
}

module "roles" {
  source = "../../modules/roles"

  identity_pool_id = module.pool.id
  role_name        = "photos-prod-authenticated"
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = module.pool.id
  roles = {
    authenticated = module.roles.arn
  }
}
