# CT109: the guest role's heredoc trust has amr authenticated; the fix writes unauthenticated.

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "kiosk"
  allow_unauthenticated_identities = true
  supported_login_providers = {
    "accounts.google.com" = "123456789012-kiosk.apps.googleusercontent.com"
  }
}

resource "aws_iam_role" "authenticated" {
  name               = "kiosk-authenticated"
  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": { "Federated": "cognito-identity.amazonaws.com" },
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": { "cognito-identity.amazonaws.com:aud": "${aws_cognito_identity_pool.main.id}" },
      "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" }
    }
  }]
}
EOF
}

resource "aws_iam_role" "guest" {
  name               = "kiosk-guest"
  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": { "Federated": "cognito-identity.amazonaws.com" },
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": { "cognito-identity.amazonaws.com:aud": "${aws_cognito_identity_pool.main.id}" },
      "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" }
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
