
gen-contact-invoice-0001own-demo€ºÕÂœ4 €ØÁ¢Œ4*genericrG*E
T1001buyer-77æ­å·æŸæŸç§‘æŠ€æœ‰é™å…¬å¸"91330100MA2XXXXXX1