# CT107 pass: a heredoc trust whose aud interpolates the attaching pool's ID through a local.

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = false
}

resource "aws_cognito_identity_pool" "staging" {
  identity_pool_name               = "photos-staging"
  allow_unauthenticated_identities = false
}

locals {
  pool_id = aws_cognito_identity_pool.main.id
}

resource "aws_iam_role" "authenticated" {
  name               = "photos-authenticated"
  assume_role_policy = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": {"Federated": "cognito-identity.amazonaws.com"},
          "Action": "sts:AssumeRoleWithWebIdentity",
          "Condition": {
            "StringEquals": {"cognito-identity.amazonaws.com:aud": "${local.pool_id}"},
            "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}
          }
        }
      ]
    }
  POLICY
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated = aws_iam_role.authenticated.arn
  }
}
