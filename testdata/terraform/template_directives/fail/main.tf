# Templates with `%{ for }` and `%{ if }` directives, rendered as Terraform renders them: the
# map of trusted pools lacks the admin pool that hands the role out, and the guest role's aud
# condition is written in an `if` on a variable that may be false.

variable "check_aud" {
  type = bool
}

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true
}

resource "aws_cognito_identity_pool" "admin" {
  identity_pool_name               = "photos-admin"
  allow_unauthenticated_identities = false
}

# A statement per pool of the map, which lacks the admin pool.
resource "aws_iam_role" "signed_in" {
  name = "photos-signed-in"
  assume_role_policy = templatefile("${path.module}/trust.json.tpl", {
    pools = {
      main = aws_cognito_identity_pool.main.id
    }
  })
}

# With `check_aud` false, the guest role has no aud condition.
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
          %{~if var.check_aud~}
          "StringEquals": { "cognito-identity.amazonaws.com:aud": "${aws_cognito_identity_pool.main.id}" },
          %{~endif~}
          "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "unauthenticated" }
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
