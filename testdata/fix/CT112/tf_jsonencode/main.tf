# CT112: the aud key is misspelled cognito-identity.amazon.com:aud; the fix writes cognito-identity.amazonaws.com:aud.

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "recipes"
  allow_unauthenticated_identities = false
  supported_login_providers = {
    "graph.facebook.com" = "1234567890123456"
  }
}

resource "aws_iam_role" "authenticated" {
  name = "recipes-authenticated"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals             = { "cognito-identity.amazon.com:aud" = aws_cognito_identity_pool.main.id }
        "ForAnyValue:StringLike" = { "cognito-identity.amazonaws.com:amr" = "authenticated" }
      }
    }]
  })
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated = aws_iam_role.authenticated.arn
  }
}
