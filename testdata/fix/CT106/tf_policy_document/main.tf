# CT106: the trust has an amr condition but no aud condition; the fix adds aud bound to the pool.

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "kiosk"
  allow_unauthenticated_identities = true
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
      test     = "ForAnyValue:StringLike"
      variable = "cognito-identity.amazonaws.com:amr"
      values   = ["unauthenticated"]
    }
  }
}

resource "aws_iam_role" "guest" {
  name               = "kiosk-guest"
  assume_role_policy = data.aws_iam_policy_document.guest_trust.json
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    unauthenticated = aws_iam_role.guest.arn
  }
}
