# Terraform 0.11 index forms on counted resources. The guest role's aud names the attached pool
# as `${aws_cognito_identity_pool.main.0.id}` (no longer mistaken for another pool), but its amr
# admits only authenticated users.

variable "enabled" {
  default = 1
}

resource "aws_cognito_identity_pool" "main" {
  count                            = "${var.enabled}"
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true
}

resource "aws_iam_role" "guest" {
  count              = "${var.enabled}"
  name               = "photos-guest"
  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"Federated": "cognito-identity.amazonaws.com"},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {"cognito-identity.amazonaws.com:aud": "${aws_cognito_identity_pool.main.0.id}"},
        "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "${element(["authenticated"], 0)}"}
      }
    }
  ]
}
EOF
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  count            = "${var.enabled}"
  identity_pool_id = "${aws_cognito_identity_pool.main.0.id}"

  roles = {
    "unauthenticated" = "${aws_iam_role.guest.*.arn[0]}"
  }
}
