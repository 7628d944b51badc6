# CT202 fail: the roles come from a variable without a default and from a literal ARN of a role
# defined elsewhere, so their trust policies were not checked.

variable "authenticated_role_arn" {
  type        = string
  description = "ARN of the role signed-in users receive, created by the platform team"
}

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated   = var.authenticated_role_arn                           # expect: CT202
    unauthenticated = "arn:aws:iam::123456789012:role/photos-guest-shared" # expect: CT202
  }
}
