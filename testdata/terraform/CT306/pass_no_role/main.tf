# CT306 pass: groups without a role. `role_arn = null` is no role, and neither is a lookup whose
# default is null (the group map of a variable may or may not name one).

variable "groups" {
  type    = list(map(string))
  default = [{ name = "editors" }]
}

resource "aws_cognito_user_pool" "main" {
  name = "photos-users"
}

resource "aws_cognito_user_group" "viewers" {
  name         = "viewers"
  user_pool_id = aws_cognito_user_pool.main.id
  role_arn     = null
}

resource "aws_cognito_user_group" "editors" {
  name         = lookup(var.groups[0], "name")
  user_pool_id = aws_cognito_user_pool.main.id
  role_arn     = lookup(var.groups[0], "role_arn", null)
}
