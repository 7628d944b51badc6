# file() and templatefile() with path.module, path.root and plain relative paths (relative to
# the root module, where Terraform runs), in the root module and in a called module.

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true
}

locals {
  trust_vars = {
    pool_id = aws_cognito_identity_pool.main.id
    amr     = "authenticated"
  }
}

resource "aws_iam_role" "authenticated" {
  name               = "photos-authenticated"
  assume_role_policy = templatefile("${path.root}/policies/trust.json", local.trust_vars)
}

module "auth" {
  source  = "./modules/auth"
  pool_id = aws_cognito_identity_pool.main.id
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated   = aws_iam_role.authenticated.arn
    unauthenticated = module.auth.guest_arn
  }
}

# data "template_file", with the template read by file() and written inline.
data "template_file" "trust" {
  template = file("policies/trust.json")
  vars = {
    pool_id = aws_cognito_identity_pool.main.id
    amr     = "authenticated"
  }
}

data "template_file" "inline" {
  template = <<EOT
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": { "Federated": "cognito-identity.amazonaws.com" },
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": { "cognito-identity.amazonaws.com:aud": "$${pool_id}" },
      "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" }
    }
  }]
}
EOT
  vars = {
    pool_id = aws_cognito_identity_pool.second.id
  }
}

resource "aws_cognito_identity_pool" "second" {
  identity_pool_name               = "photos-second"
  allow_unauthenticated_identities = false
}

resource "aws_iam_role" "rendered" {
  name               = "photos-rendered"
  assume_role_policy = data.template_file.trust.rendered
}

resource "aws_iam_role" "inline" {
  name               = "photos-inline"
  assume_role_policy = data.template_file.inline.rendered
}

resource "aws_cognito_identity_pool_roles_attachment" "second" {
  identity_pool_id = aws_cognito_identity_pool.second.id
  roles = {
    authenticated = aws_iam_role.inline.arn
  }
}
