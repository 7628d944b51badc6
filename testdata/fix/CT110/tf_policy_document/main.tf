# CT110: the pool allows guests and the authenticated role's policy document checks aud but not amr; the fix adds amr authenticated.

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "kiosk"
  allow_unauthenticated_identities = true
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
  }
}

data "aws_iam_policy_document" "guest_trust" {
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
  name               = "kiosk-authenticated"
  assume_role_policy = data.aws_iam_policy_document.authenticated_trust.json
}

resource "aws_iam_role" "guest" {
  name               = "kiosk-guest"
  assume_role_policy = data.aws_iam_policy_document.guest_trust.json
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated   = aws_iam_role.authenticated.arn
    unauthenticated = aws_iam_role.guest.arn
  }
}
