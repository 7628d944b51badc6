# CT108 pass: aud lists the pool ID exactly, taken from a variable default.

variable "identity_pool_id" {
  type    = string
  default = "us-east-1:0d01f4d7-1305-4916-b3e6-5e1a3bd7a3e0"
}

resource "aws_iam_role" "authenticated" {
  name = "photos-authenticated"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "cognito-identity.amazonaws.com:aud" = var.identity_pool_id
        }
        "ForAnyValue:StringLike" = {
          "cognito-identity.amazonaws.com:amr" = "authenticated"
        }
      }
    }]
  })
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = var.identity_pool_id
  roles = {
    authenticated = aws_iam_role.authenticated.arn
  }
}
