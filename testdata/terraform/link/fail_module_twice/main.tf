# Module tree, fail: one role module instantiated for two pools. Its amr condition lacks a set
# operator (see modules/role/main.tf): one finding there, related to the slots of both pools.

resource "aws_cognito_identity_pool" "photos" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = false
}

resource "aws_cognito_identity_pool" "admin" {
  identity_pool_name               = "photos-admin"
  allow_unauthenticated_identities = false
}

module "photos_role" {
  source = "./modules/role"

  identity_pool_id = aws_cognito_identity_pool.photos.id
  role_name        = "photos-authenticated"
}

module "admin_role" {
  source = "./modules/role"

  identity_pool_id = aws_cognito_identity_pool.admin.id
  role_name        = "photos-admin-authenticated"
}

resource "aws_cognito_identity_pool_roles_attachment" "photos" {
  identity_pool_id = aws_cognito_identity_pool.photos.id
  roles = {
    authenticated = module.photos_role.arn
  }
}

resource "aws_cognito_identity_pool_roles_attachment" "admin" {
  identity_pool_id = aws_cognito_identity_pool.admin.id
  roles = {
    authenticated = module.admin_role.arn
  }
}
