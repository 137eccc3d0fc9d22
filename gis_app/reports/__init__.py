"""Analysis results as the tables agencies file: CSV and XLSX with Chinese headers."""
