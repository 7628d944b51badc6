# Terraform 0.11 index forms on counted resources: `x.0.id` in a heredoc, `x.*.arn[0]`, and
# `element(x.*.id, 0)`. Every instance of a counted resource has the same shape, so the pool of
# the aud condition is the attached pool.

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
        "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "unauthenticated"}
      }
    }
  ]
}
EOF
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  count            = "${var.enabled}"
  identity_pool_id = "${element(aws_cognito_identity_pool.main.*.id, 0)}"

  roles = {
    "unauthenticated" = "${aws_iam_role.guest.*.arn[0]}"
  }
}
