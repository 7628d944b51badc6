# A policy document with `for_each`, one instance per role, each role reading the instance its
# key names: the guest slot gets the "authenticated" role, whose amr admits only signed-in users.

locals {
  slots = {
    authenticated   = "authenticated"
    unauthenticated = "unauthenticated"
  }
}

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true
}

data "aws_iam_policy_document" "trust" {
  for_each = local.slots

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
      values   = [each.value] # expect: CT109 related=51
    }
  }
}

resource "aws_iam_role" "this" {
  for_each           = local.slots
  name               = "photos-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.trust[each.key].json
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated   = aws_iam_role.this["authenticated"].arn
    unauthenticated = aws_iam_role.this["authenticated"].arn
  }
}
