variable "name" {
  type = string
}

variable "allow_guests" {
  type    = bool
  default = false
}

resource "aws_cognito_identity_pool" "this" {
  identity_pool_name               = var.name
  allow_unauthenticated_identities = var.allow_guests
}

output "id" {
  value = aws_cognito_identity_pool.this.id
}
