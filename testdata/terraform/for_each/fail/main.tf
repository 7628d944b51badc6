# `for_each` instances are resources of their own, with `each.key` and `each.value` bound: the
# "guest" instance's aud names the staging pool, the "auth" instance's the pool that hands it out.

locals {
  roles = {
    auth  = { amr = "authenticated", pool = aws_cognito_identity_pool.main.id }
    guest = { amr = "unauthenticated", pool = aws_cognito_identity_pool.staging.id }
  }
}

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true
}

resource "aws_cognito_identity_pool" "staging" {
  identity_pool_name               = "photos-staging"
  allow_unauthenticated_identities = true
}

resource "aws_iam_role" "this" {
  for_each = local.roles
  name     = "photos-${each.key}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals             = { "cognito-identity.amazonaws.com:aud" = each.value.pool } # expect: CT107 related=11 related=42
        "ForAnyValue:StringLike" = { "cognito-identity.amazonaws.com:amr" = each.value.amr }
      }
    }]
  })
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated   = aws_iam_role.this["auth"].arn
    unauthenticated = aws_iam_role.this["guest"].arn
  }
}
