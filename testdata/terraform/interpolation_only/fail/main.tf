# Terraform 0.11 style: the trust comes from a policy document through an interpolation-only
# string, and that document has no aud condition. Before, `"${data...json}"` was not read, and
# the role passed unchecked.

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = false
}

data "aws_iam_policy_document" "authenticated" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = ["cognito-identity.amazonaws.com"]
    }

    condition { # expect: CT106 related=42
      test     = "ForAnyValue:StringLike"
      variable = "cognito-identity.amazonaws.com:amr"
      values   = ["authenticated"]
    }
  }
}

resource "aws_iam_role" "authenticated" {
  name               = "photos-authenticated"
  assume_role_policy = "${data.aws_iam_policy_document.authenticated.json}"
}

resource "aws_iam_role" "unreadable" {
  name               = "photos-unreadable"
  assume_role_policy = "${replace(data.aws_iam_policy_document.authenticated.json, "x", "y")}" # expect: CT901
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = "${aws_cognito_identity_pool.main.id}"

  roles = {
    "authenticated" = "${aws_iam_role.authenticated.arn}"
  }

  role_mapping {
    identity_provider         = "graph.facebook.com"
    type                      = "Rules"
    ambiguous_role_resolution = "AuthenticatedRole"

    mapping_rule {
      claim      = "isAdmin"
      match_type = "Equals"
      value      = "paid"
      role_arn   = "${aws_iam_role.unreadable.arn}"
    }
  }
}
