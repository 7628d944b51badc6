# CT116 fail: the role trusts the commercial principal, but its aud names a pool in
# us-gov-west-1, where identity pools use cognito-identity-us-gov.amazonaws.com.

resource "aws_iam_role" "authenticated" {
  name = "photos-authenticated"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" } # expect: CT116 related=27
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "cognito-identity.amazonaws.com:aud" = "us-gov-west-1:0d01f4d7-1305-4916-b3e6-5e1a3bd7a3e0"
        }
        "ForAnyValue:StringLike" = {
          "cognito-identity.amazonaws.com:amr" = "authenticated"
        }
      }
    }]
  })
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = "us-gov-west-1:0d01f4d7-1305-4916-b3e6-5e1a3bd7a3e0"
  roles = {
    authenticated = aws_iam_role.authenticated.arn
  }
}
