# CT207 fail: users sign in through the user pool, but only a guest role is attached.

resource "aws_cognito_user_pool" "main" {
  name = "photos-users"
}

resource "aws_cognito_user_pool_client" "web" {
  name         = "web"
  user_pool_id = aws_cognito_user_pool.main.id
}

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true

  cognito_identity_providers { # expect: CT207 related=40
    client_id     = aws_cognito_user_pool_client.web.id
    provider_name = aws_cognito_user_pool.main.endpoint
  }
}

resource "aws_iam_role" "guest" {
  name = "photos-guest"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
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
