output "profile_url" {
  description = "GET this with Authorization: Bearer <token> (loadgen and archbench run --target take it)."
  value       = "${aws_apigatewayv2_stage.default.invoke_url}profile"
}

output "function_name" {
  value = aws_lambda_function.profile.function_name
}
