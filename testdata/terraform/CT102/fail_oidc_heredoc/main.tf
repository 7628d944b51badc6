# CT102 fail: the heredoc trust names an OIDC provider ARN; the identity pool issues its own
# token. The finding lies inside the heredoc, where a comment would be JSON text, so it is
# listed in main.tf.expected.

data "aws_caller_identity" "current" {}

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = false
  openid_connect_provider_arns     = [aws_iam_openid_connect_provider.auth0.arn]
}

resource "aws_iam_openid_connect_provider" "auth0" {
  url             = "https://tenant.auth0.com"
  client_id_list  = ["photos"]
  thumbprint_list = ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]
}

resource "aws_iam_role" "authenticated" {
  name               = "photos-authenticated"
  assume_role_policy = <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {
        "Federated": "arn:aws:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/tenant.auth0.com"
      },
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {
          "cognito-identity.amazonaws.com:aud": "${aws_cognito_identity_pool.main.id}"
        },
        "ForAnyValue:StringLike": {
          "cognito-identity.amazonaws.com:amr": "authenticated"
        }
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
