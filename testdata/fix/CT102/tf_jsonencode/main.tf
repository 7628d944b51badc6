# CT102: the jsonencode trust names cognito-identity as a Service with sts:AssumeRole; the fix makes it Federated with sts:AssumeRoleWithWebIdentity.

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "kiosk"
  allow_unauthenticated_identities = true
}

resource "aws_iam_role" "guest" {
  name = "kiosk-guest"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals             = { "cognito-identity.amazonaws.com:aud" = aws_cognito_identity_pool.main.id }
        "ForAnyValue:StringLike" = { "cognito-identity.amazonaws.com:amr" = "unauthenticated" }
      }
    }]
  })
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    unauthenticated = aws_iam_role.guest.arn
  }
}
