# The function: the same fn-get-profile binary that bin/faas runs locally, as a
# custom runtime (provided.al2023), packaged by `make lambda-zip`.
locals {
  zip_path = var.zip_path != "" ? var.zip_path : "${path.module}/../../build/lambda/function.zip"
}

resource "aws_iam_role" "function" {
  name = var.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

# CloudWatch Logs only: the function reads its database from its own package.
resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.function.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_cloudwatch_log_group" "function" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "profile" {
  function_name    = var.name
  role             = aws_iam_role.function.arn
  runtime          = "provided.al2023"
  architectures    = ["x86_64"]
  handler          = "fn-get-profile" # a custom runtime's bootstrap ignores it
  filename         = local.zip_path
  source_code_hash = filebase64sha256(local.zip_path)
  memory_size      = var.memory_mb
  timeout          = var.timeout_s

  depends_on = [aws_iam_role_policy_attachment.logs, aws_cloudwatch_log_group.function]
}

# API Gateway HTTP API with payload format 2.0: the event bin/faas's trigger builds.
# Every method and path goes to the function, which answers 404/405 itself, as the
# other architectures do.
resource "aws_apigatewayv2_api" "http" {
  name          = var.name
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "function" {
  api_id                 = aws_apigatewayv2_api.http.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.profile.invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = var.timeout_s * 1000 + 1000
}

resource "aws_apigatewayv2_route" "all" {
  api_id    = aws_apigatewayv2_api.http.id
  route_key = "$default"
  target    = "integrations/${aws_apigatewayv2_integration.function.id}"
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.http.id
  name        = "$default"
  auto_deploy = true
}

resource "aws_lambda_permission" "api" {
  statement_id  = "AllowHttpApiInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.profile.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.http.execution_arn}/*/*"
}
