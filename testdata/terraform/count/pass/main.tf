# Each `count` instance trusts the pool that hands it out, for the identities it is given to; a
# `count` of one or none (`var.create ? 1 : 0`) is one resource.

variable "create" {
  type    = bool
  default = true
}

resource "aws_cognito_identity_pool" "main" {
  count                            = var.create ? 1 : 0
  identity_pool_name               = "photos"
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
        StringEquals = { "cognito-identity.amazonaws.com:aud" = aws_cognito_identity_pool.main[0].id }
        "ForAnyValue:StringLike" = {
          "cognito-identity.amazonaws.com:amr" = element(["authenticated", "unauthenticated"], count.index)
        }
      }
    }]
  })
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = one(aws_cognito_identity_pool.main[*].id)
  roles = {
    authenticated   = aws_iam_role.this[0].arn
    unauthenticated = aws_iam_role.this[1].arn
  }
}
