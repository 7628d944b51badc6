# pass (intended): trust documents whose conditions and statements come from `dynamic` blocks;
# both are correct once expanded, so nothing may be reported.

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = false

  supported_login_providers = {
    "graph.facebook.com" = "7346241598935552"
  }
}

data "aws_iam_policy_document" "authenticated_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = ["cognito-identity.amazonaws.com"]
    }

    dynamic "condition" {
      for_each = {
        aud = ["StringEquals", aws_cognito_identity_pool.main.id]
        amr = ["ForAnyValue:StringLike", "authenticated"]
      }
      content {
        test     = condition.value[0]
        variable = "cognito-identity.amazonaws.com:${condition.key}"
        values   = [condition.value[1]]
      }
    }
  }
}

data "aws_iam_policy_document" "editors_trust" {
  dynamic "statement" {
    for_each = ["authenticated"]
    content {
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
        values   = [statement.value]
      }
    }
  }
}

resource "aws_iam_role" "authenticated" {
  name               = "photos-authenticated"
  assume_role_policy = data.aws_iam_policy_document.authenticated_trust.json
}

resource "aws_iam_role" "editors" {
  name               = "photos-editors"
  assume_role_policy = data.aws_iam_policy_document.editors_trust.json
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated = aws_iam_role.authenticated.arn
  }

  role_mapping {
    identity_provider         = "graph.facebook.com"
    type                      = "Rules"
    ambiguous_role_resolution = "AuthenticatedRole"

    mapping_rule {
      claim      = "editor"
      match_type = "Equals"
      value      = "true"
      role_arn   = aws_iam_role.editors.arn
    }
  }
}
