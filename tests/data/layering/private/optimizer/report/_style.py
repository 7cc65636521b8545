BOLD = "**"
