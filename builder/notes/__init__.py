"""builder.notes"""
