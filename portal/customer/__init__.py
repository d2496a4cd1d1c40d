"""The customer portal: /p/<merchant>/…"""
