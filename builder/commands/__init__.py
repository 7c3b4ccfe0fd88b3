"""builder.commands"""
