locals {
  cognito = "cognito-identity.amazonaws.com"
}

data "aws_iam_policy_document" "authenticated_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.cognito]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.cognito}:aud"
      values   = [var.identity_pool_id]
    }

    condition {
      test     = "ForAnyValue:StringLike"
      variable = "${local.cognito}:amr"
      values   = ["authenticated"]
    }
  }
}

resource "aws_iam_role" "authenticated" {
  name               = "${var.name_prefix}-authenticated"
  assume_role_policy = data.aws_iam_policy_document.authenticated_trust.json
}

# The guest role was copied from the authenticated one and kept its amr value.
resource "aws_iam_role" "guest" {
  name = "${var.name_prefix}-guest"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = local.cognito }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "cognito-identity.amazonaws.com:aud" = var.identity_pool_id
        }
        "ForAnyValue:StringLike" = {
          "cognito-identity.amazonaws.com:amr" = "authenticated" # expect: CT109 related=main.tf:21
        }
      }
    }]
  })
}
