"""`tapcheck fix`: planning the mechanical fixes and editing the template text."""
