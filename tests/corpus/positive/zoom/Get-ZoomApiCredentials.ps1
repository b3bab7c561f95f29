$Global:ZoomApiKey = 'vf0NtJo2OHjDWUQ55ro95X'
$Global:ZoomApiSecret = 'GuYjNuQQEzJKI8fxwCFyPT00soHfV0Ov'
