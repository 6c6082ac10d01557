"""The bottom package: code every app may use and none owns. No models, and it imports no app."""
