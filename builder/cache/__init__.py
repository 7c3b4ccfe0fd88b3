"""What earlier builds made, kept so that the next build does less: the build record that
makes an unchanged build a no-op (`fingerprint`) and the memo of rendered pieces (`memo`)."""
