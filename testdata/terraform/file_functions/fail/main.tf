# file() and templatefile(): trust policies read from files beside the module, only inside the
# scanned folders. Findings inside a read file point into it (see the `.expected` sidecars).

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = false
}

resource "aws_cognito_identity_pool" "admin" {
  identity_pool_name               = "photos-admin"
  allow_unauthenticated_identities = false
}

resource "aws_cognito_identity_pool" "editor" {
  identity_pool_name               = "photos-editor"
  allow_unauthenticated_identities = false
}

resource "aws_cognito_identity_pool" "viewer" {
  identity_pool_name               = "photos-viewer"
  allow_unauthenticated_identities = false
}

# The trust read by file() has no aud condition.
resource "aws_iam_role" "authenticated" {
  name               = "photos-authenticated"
  assume_role_policy = file("${path.module}/trust.json")
}

# The template's aud is bound to another pool's ID.
resource "aws_iam_role" "admin" {
  name = "photos-admin"
  assume_role_policy = templatefile("${path.module}/trust_template.json", {
    pool_id = aws_cognito_identity_pool.main.id
  })
}

# A path out of the scanned folders is never read.
resource "aws_iam_role" "editor" {
  name               = "photos-editor"
  assume_role_policy = file("${path.module}/../../CT106/fail/main.tf") # expect: CT901
}

# A template with a directive is rendered: `pool_id != ""` holds for a pool's ID, so the aud is
# the viewer pool's and this role passes (see ../../template_directives for failing ones).
resource "aws_iam_role" "viewer" {
  name = "photos-viewer"
  assume_role_policy = templatefile("directive.json", {
    pool_id = aws_cognito_identity_pool.viewer.id
  })
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated = aws_iam_role.authenticated.arn
  }
}

resource "aws_cognito_identity_pool_roles_attachment" "admin" {
  identity_pool_id = aws_cognito_identity_pool.admin.id
  roles = {
    authenticated = aws_iam_role.admin.arn
  }
}

resource "aws_cognito_identity_pool_roles_attachment" "editor" {
  identity_pool_id = aws_cognito_identity_pool.editor.id
  roles = {
    authenticated = aws_iam_role.editor.arn
  }
}

resource "aws_cognito_identity_pool_roles_attachment" "viewer" {
  identity_pool_id = aws_cognito_identity_pool.viewer.id
  roles = {
    authenticated = aws_iam_role.viewer.arn
  }
}

# data "template_file" written inline: its aud is bound to another pool's ID, said at the
# template (see main.tf.expected), since its places cannot be told apart inside the string.
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
    pool_id = aws_cognito_identity_pool.main.id
  }
}

variable "template" {
  type = string
}

# A template not known statically is not guessed.
data "template_file" "unknown" {
  template = var.template
}

resource "aws_cognito_identity_pool" "inline" {
  identity_pool_name               = "photos-inline"
  allow_unauthenticated_identities = false
}

resource "aws_cognito_identity_pool" "unknown" {
  identity_pool_name               = "photos-unknown"
  allow_unauthenticated_identities = false
}

resource "aws_iam_role" "inline" {
  name               = "photos-inline"
  assume_role_policy = data.template_file.inline.rendered
}

resource "aws_iam_role" "unknown" {
  name               = "photos-unknown"
  assume_role_policy = data.template_file.unknown.rendered # expect: CT901
}

resource "aws_cognito_identity_pool_roles_attachment" "inline" {
  identity_pool_id = aws_cognito_identity_pool.inline.id
  roles = {
    authenticated = aws_iam_role.inline.arn
  }
}

resource "aws_cognito_identity_pool_roles_attachment" "unknown" {
  identity_pool_id = aws_cognito_identity_pool.unknown.id
  roles = {
    authenticated = aws_iam_role.unknown.arn
  }
}
