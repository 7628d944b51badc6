# CT110: the pool allows guests and the authenticated role's heredoc trust checks aud but not amr; the fix adds amr authenticated.

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "notes"
  allow_unauthenticated_identities = true
  supported_login_providers = {
    "accounts.google.com" = "123456789012-notes.apps.googleusercontent.com"
  }
}

resource "aws_iam_role" "authenticated" {
  name               = "notes-authenticated"
  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": { "Federated": "cognito-identity.amazonaws.com" },
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": { "cognito-identity.amazonaws.com:aud": "${aws_cognito_identity_pool.main.id}" }
    }
  }]
}
EOF
}

resource "aws_iam_role" "guest" {
  name               = "notes-guest"
  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": { "Federated": "cognito-identity.amazonaws.com" },
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": { "cognito-identity.amazonaws.com:aud": "${aws_cognito_identity_pool.main.id}" },
      "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "unauthenticated" }
    }
  }]
}
EOF
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated   = aws_iam_role.authenticated.arn
    unauthenticated = aws_iam_role.guest.arn
  }
}
