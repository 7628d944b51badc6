# CT202 fail: the whole roles map is a variable, so neither slot can be checked.

variable "pool_roles" {
  type = map(string)
}

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = false
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles            = var.pool_roles # expect: CT202
}
