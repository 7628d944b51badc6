# Templates with `%{ for }` and `%{ if }` directives, rendered as Terraform renders them: one
# trust statement per pool of a map, and a condition that an `if` includes.

variable "strict" {
  type    = bool
  default = true
}

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true
}

resource "aws_cognito_identity_pool" "admin" {
  identity_pool_name               = "photos-admin"
  allow_unauthenticated_identities = false
}

# One role for the signed-in users of both pools: a statement per pool.
resource "aws_iam_role" "signed_in" {
  name = "photos-signed-in"
  assume_role_policy = templatefile("${path.module}/trust.json.tpl", {
    pools = {
      main  = aws_cognito_identity_pool.main.id
      admin = aws_cognito_identity_pool.admin.id
    }
  })
}

# The guest role's amr condition is written in an `if` that holds.
resource "aws_iam_role" "guest" {
  name               = "photos-guest"
  assume_role_policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Effect": "Allow",
        "Principal": { "Federated": "cognito-identity.amazonaws.com" },
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
          %{~if aws_cognito_identity_pool.main.id != ""~}
          "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "unauthenticated" },
          %{~endif~}
          "StringEquals": { "cognito-identity.amazonaws.com:aud": "${aws_cognito_identity_pool.main.id}" }
        }
      }]
    }
  EOF
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated   = aws_iam_role.signed_in.arn
    unauthenticated = aws_iam_role.guest.arn
  }
}

resource "aws_cognito_identity_pool_roles_attachment" "admin" {
  identity_pool_id = aws_cognito_identity_pool.admin.id
  roles = {
    authenticated = aws_iam_role.signed_in.arn
  }
}
