"""Official documents (公文): .docx and printable HTML rendering shared by every area."""
