# CT401 fail: policies attached to the guest role by separate resources are too broad.

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true
}

resource "aws_iam_role" "authenticated" {
  name = "photos-authenticated"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals             = { "cognito-identity.amazonaws.com:aud" = aws_cognito_identity_pool.main.id }
        "ForAnyValue:StringLike" = { "cognito-identity.amazonaws.com:amr" = "authenticated" }
      }
    }]
  })
}

resource "aws_iam_role" "guest" {
  name = "photos-guest"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals             = { "cognito-identity.amazonaws.com:aud" = aws_cognito_identity_pool.main.id }
        "ForAnyValue:StringLike" = { "cognito-identity.amazonaws.com:amr" = "unauthenticated" }
      }
    }]
  })
}

data "aws_iam_policy_document" "guest_admin" {
  statement {
    actions   = ["iam:*"] # expect: CT401 related=62
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "guest_admin" {
  name   = "guest-admin"
  role   = aws_iam_role.guest.id
  policy = data.aws_iam_policy_document.guest_admin.json
}

resource "aws_iam_role_policy_attachment" "guest_power_user" {
  role       = aws_iam_role.guest.name
  policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess" # expect: CT401 related=62
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated   = aws_iam_role.authenticated.arn
    unauthenticated = aws_iam_role.guest.arn
  }
}
