# CT109 fail: the guest role shares the authenticated role's trust document, which admits only
# `authenticated` identities.

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true
}

data "aws_iam_policy_document" "trust" {
  statement {
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
      values   = ["authenticated"] # expect: CT109 related=46
    }
  }
}

resource "aws_iam_role" "authenticated" {
  name               = "photos-authenticated"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role" "guest" {
  name               = "photos-guest"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated   = aws_iam_role.authenticated.arn
    unauthenticated = aws_iam_role.guest.arn
  }
}
