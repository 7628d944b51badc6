# CT109: the authenticated role's policy document has amr unauthenticated; the fix writes authenticated.

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "notes"
  allow_unauthenticated_identities = false
  supported_login_providers = {
    "accounts.google.com" = "123456789012-notes.apps.googleusercontent.com"
  }
}

data "aws_iam_policy_document" "authenticated_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = ["cognito-identity.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "cognito-identity.amazonaws.com:aud"
      values   = [aws_cognito_identity_pool.main.id]
    }

    condition {
      test     = "ForAnyValue:StringLike"
      variable = "cognito-identity.amazonaws.com:amr"
      values   = ["unauthenticated"]
    }
  }
}

resource "aws_iam_role" "authenticated" {
  name               = "notes-authenticated"
  assume_role_policy = data.aws_iam_policy_document.authenticated_trust.json
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated = aws_iam_role.authenticated.arn
  }
}
