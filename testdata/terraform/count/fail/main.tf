# `count` instances are resources of their own, with `count.index` bound: the second role's aud
# names the staging pool, and it is the guest role of the main pool.

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true
}

resource "aws_cognito_identity_pool" "staging" {
  identity_pool_name               = "photos-staging"
  allow_unauthenticated_identities = true
}

resource "aws_iam_role" "this" {
  count = 2
  name  = "photos-${count.index}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "cognito-identity.amazonaws.com:aud" = element([aws_cognito_identity_pool.main.id, aws_cognito_identity_pool.staging.id], count.index) # expect: CT107 related=4 related=39
        }
        "ForAnyValue:StringLike" = {
          "cognito-identity.amazonaws.com:amr" = element(["authenticated", "unauthenticated"], count.index)
        }
      }
    }]
  })
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated   = aws_iam_role.this[0].arn
    unauthenticated = aws_iam_role.this[1].arn
  }
}
